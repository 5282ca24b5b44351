package org.sijil.analysis;

import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

// Maps Arabic-Indic (and other Unicode decimal) digits to ASCII so dates/record numbers match whatever script was typed.
@NamedComponent("sijil_decimal_digit")
public class DecimalDigitFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new DecimalDigitFilter(tokenStream);
    }

    @Override
    public TokenStream normalize(TokenStream tokenStream) {
        return create(tokenStream);
    }
}
