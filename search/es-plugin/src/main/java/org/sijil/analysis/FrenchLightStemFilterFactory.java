package org.sijil.analysis;

import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

// Light French stemming (plural/feminine endings) so mariés, mariée and marié match.
@NamedComponent("sijil_french_light_stem")
public class FrenchLightStemFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new FrenchLightStemFilter(tokenStream);
    }
}
