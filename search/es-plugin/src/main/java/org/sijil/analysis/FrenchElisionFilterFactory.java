package org.sijil.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

// Strips French elided articles (l', d', qu', … in any case, with ' or the typographic ’) so "l'État" indexes as "État".
@NamedComponent("sijil_french_elision")
public class FrenchElisionFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream tokenStream) {
        // FrenchAnalyzer.DEFAULT_ARTICLES is an ignore-case set; Lucene's ElisionFilter splits on both U+0027 and U+2019.
        return new ElisionFilter(tokenStream, FrenchAnalyzer.DEFAULT_ARTICLES);
    }

    @Override
    public TokenStream normalize(TokenStream tokenStream) {
        return create(tokenStream);
    }
}
