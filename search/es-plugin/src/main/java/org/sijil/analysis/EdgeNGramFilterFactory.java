package org.sijil.analysis;

import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

// Index-time prefixes (2..20 chars, original kept) for search-as-you-type on names.
@NamedComponent("sijil_edge_ngram")
public class EdgeNGramFilterFactory implements TokenFilterFactory {

    static final int MIN_GRAM = 2;
    static final int MAX_GRAM = 20;

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new EdgeNGramTokenFilter(tokenStream, MIN_GRAM, MAX_GRAM, true);
    }
}
