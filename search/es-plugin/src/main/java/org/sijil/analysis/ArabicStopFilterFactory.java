package org.sijil.analysis;

import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.TokenStream;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

// Removes Lucene's default Arabic stop words; the built-in 'stop' filter has no _arabic_ list without analysis-common.
@NamedComponent("sijil_arabic_stop")
public class ArabicStopFilterFactory implements TokenFilterFactory {

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new StopFilter(tokenStream, ArabicAnalyzer.getDefaultStopSet());
    }
}
