package org.sijil.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

// Ready-made French analyzer (the minimal ES distribution has no "french" analyzer): standard → sijil_french_elision →
// lowercase → sijil_french_stop → sijil_french_light_stem → sijil_ascii_folding.
@NamedComponent("sijil_french")
public class SijilFrenchAnalyzerFactory implements AnalyzerFactory {

    @Override
    public Analyzer create() {
        return new SijilFrenchAnalyzer();
    }

    static final class SijilFrenchAnalyzer extends Analyzer {
        private final FrenchElisionFilterFactory elision = new FrenchElisionFilterFactory();
        private final FrenchStopFilterFactory stop = new FrenchStopFilterFactory();
        private final FrenchLightStemFilterFactory stem = new FrenchLightStemFilterFactory();
        private final AsciiFoldingFilterFactory folding = new AsciiFoldingFilterFactory();

        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer source = new StandardTokenizer();
            TokenStream result = elision.create(source);
            result = new LowerCaseFilter(result);
            result = stop.create(result);
            result = stem.create(result);
            result = folding.create(result);
            return new TokenStreamComponents(source, result);
        }

        // Used for fuzzy/prefix/wildcard query terms: same folding, no stop words or stemming.
        @Override
        protected TokenStream normalize(String fieldName, TokenStream in) {
            TokenStream result = elision.normalize(in);
            result = new LowerCaseFilter(result);
            result = folding.normalize(result);
            return result;
        }
    }
}
