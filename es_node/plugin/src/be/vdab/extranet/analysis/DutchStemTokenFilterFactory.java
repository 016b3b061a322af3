package be.vdab.extranet.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.tartarus.snowball.ext.DutchStemmer;

/** Lucene's Snowball Dutch stemmer, for nodes without the analysis-common module. */
@NamedComponent("extranet_dutch_stem")
public class DutchStemTokenFilterFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new SnowballFilter(tokenStream, new DutchStemmer());
    }
}
