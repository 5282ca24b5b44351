package org.sijil.analysis;

import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

// Removes Lucene's default French stop words; the built-in 'stop' filter has no _french_ list without analysis-common.
@NamedComponent("sijil_french_stop")
public class FrenchStopFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new StopFilter(tokenStream, FrenchAnalyzer.getDefaultStopSet());
    }
}
