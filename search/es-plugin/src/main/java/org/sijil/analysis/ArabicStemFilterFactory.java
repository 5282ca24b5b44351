package org.sijil.analysis;

import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

// Light Arabic stemming (prefixes/suffixes such as ال, ات, ة) so inflected forms of a word match.
@NamedComponent("sijil_arabic_stem")
public class ArabicStemFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new ArabicStemFilter(tokenStream);
    }
}
