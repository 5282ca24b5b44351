package org.sijil.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.AnalyzerFactory;

// Ready-made Arabic analyzer (the minimal ES distribution has no "arabic" analyzer): standard → lowercase →
// sijil_decimal_digit → sijil_arabic_stop → sijil_arabic_normalization → sijil_arabic_stem.
@NamedComponent("sijil_arabic")
public class SijilArabicAnalyzerFactory implements AnalyzerFactory {

    @Override
    public Analyzer create() {
        return new SijilArabicAnalyzer();
    }

    static final class SijilArabicAnalyzer extends Analyzer {
        private final DecimalDigitFilterFactory digits = new DecimalDigitFilterFactory();
        private final ArabicStopFilterFactory stop = new ArabicStopFilterFactory();
        private final ArabicNormalizationFilterFactory normalization = new ArabicNormalizationFilterFactory();
        private final ArabicStemFilterFactory stem = new ArabicStemFilterFactory();

        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer source = new StandardTokenizer();
            TokenStream result = new LowerCaseFilter(source);
            result = digits.create(result);
            result = stop.create(result);
            result = normalization.create(result);
            result = stem.create(result);
            return new TokenStreamComponents(source, result);
        }

        // Used for fuzzy/prefix/wildcard query terms: same folding, no stop words or stemming.
        @Override
        protected TokenStream normalize(String fieldName, TokenStream in) {
            TokenStream result = new LowerCaseFilter(in);
            result = digits.normalize(result);
            result = normalization.normalize(result);
            return result;
        }
    }
}
