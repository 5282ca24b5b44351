package org.sijil.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.junit.jupiter.api.Test;

/** Runs every factory through a real Lucene Analyzer, the way Elasticsearch chains them. */
class FilterFactoriesTest {

    /** standard tokenizer, then each factory in order; "lowercase" is Lucene's LowerCaseFilter. */
    private static Analyzer chain(Object... steps) {
        return new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String fieldName) {
                Tokenizer source = new StandardTokenizer();
                TokenStream ts = source;
                for (Object step : steps) {
                    ts = step == LOWERCASE ? new LowerCaseFilter(ts) : ((TokenFilterFactory) step).create(ts);
                }
                return new TokenStreamComponents(source, ts);
            }

            @Override
            protected TokenStream normalize(String fieldName, TokenStream in) {
                TokenStream ts = in;
                for (Object step : steps) {
                    ts = step == LOWERCASE ? new LowerCaseFilter(ts) : ((TokenFilterFactory) step).normalize(ts);
                }
                return ts;
            }
        };
    }

    private static final Object LOWERCASE = new Object();

    static List<String> tokens(Analyzer analyzer, String text) throws IOException {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = analyzer.tokenStream("f", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term.toString());
            }
            ts.end();
        }
        return out;
    }

    private static String normalized(Analyzer analyzer, String text) {
        return analyzer.normalize("f", text).utf8ToString();
    }

    @Test
    void arabicNormalization() throws IOException {
        Analyzer a = chain(new ArabicNormalizationFilterFactory());
        assertEquals(List.of("محمد"), tokens(a, "مُحَمَّدٌ"));
        assertEquals(List.of("احمد"), tokens(a, "أحمد"));
        assertEquals(List.of("احمد"), tokens(a, "إحمد"));
        assertEquals(List.of("احمد"), tokens(a, "آحمد"));
        assertEquals(List.of("مكه"), tokens(a, "مكة"));
        assertEquals(List.of("مصطفي"), tokens(a, "مصطفى"));
        assertEquals(List.of("محمد"), tokens(a, "محـــمد")); // tatweel
        assertEquals("احمد", normalized(a, "أحمد"));
        assertEquals("محمد", normalized(a, "مُحَمَّدٌ"));
    }

    @Test
    void arabicStem() throws IOException {
        Analyzer a = chain(new ArabicNormalizationFilterFactory(), new ArabicStemFilterFactory());
        assertEquals(tokens(a, "كتاب"), tokens(a, "الكتاب"));
        assertEquals(tokens(a, "مكه"), tokens(a, "مكة")); // both stem to مك (suffix ه stripped)
        // stemming is not a normalisation: prefix/fuzzy terms must not be stemmed
        assertEquals("الكتاب", normalized(chain(new ArabicStemFilterFactory()), "الكتاب"));
    }

    @Test
    void arabicStop() throws IOException {
        Analyzer a = chain(new ArabicStopFilterFactory());
        assertEquals(List.of("ولد", "محمد", "مكة"), tokens(a, "ولد محمد في مكة"));
    }

    @Test
    void decimalDigit() throws IOException {
        Analyzer a = chain(new DecimalDigitFilterFactory());
        assertEquals(List.of("452"), tokens(a, "٤٥٢"));
        assertEquals(List.of("1962"), tokens(a, "۱۹۶۲")); // extended (Persian) Arabic-Indic digits
        assertEquals("452", normalized(a, "٤٥٢"));
    }

    @Test
    void frenchElision() throws IOException {
        Analyzer a = chain(new FrenchElisionFilterFactory(), LOWERCASE);
        assertEquals(List.of("état"), tokens(a, "l'État"));
        assertEquals(List.of("état"), tokens(a, "L'État"));
        assertEquals(List.of("état"), tokens(a, "l\u2019État")); // typographic apostrophe
        assertEquals(List.of("il", "arrive"), tokens(a, "qu'il arrive"));
        assertEquals(List.of("acte", "de", "naissance"), tokens(a, "D\u2019acte de naissance"));
        assertEquals("état", normalized(a, "L\u2019État"));
    }

    @Test
    void frenchStop() throws IOException {
        Analyzer a = chain(LOWERCASE, new FrenchStopFilterFactory());
        assertEquals(List.of("acte", "naissance", "enfants"), tokens(a, "acte de naissance des enfants"));
    }

    @Test
    void frenchLightStem() throws IOException {
        Analyzer a = chain(LOWERCASE, new FrenchLightStemFilterFactory());
        assertEquals(tokens(a, "marié"), tokens(a, "mariées"));
        assertEquals(tokens(a, "marié"), tokens(a, "mariés"));
        assertEquals(tokens(a, "enfant"), tokens(a, "enfants"));
    }

    @Test
    void asciiFolding() throws IOException {
        Analyzer a = chain(LOWERCASE, new AsciiFoldingFilterFactory());
        assertEquals(List.of("setif", "francois", "coeur"), tokens(a, "Sétif François Cœur"));
        assertEquals("setif", normalized(a, "Sétif"));
    }

    @Test
    void edgeNgram() throws IOException {
        Analyzer a = chain(LOWERCASE, new EdgeNGramFilterFactory());
        assertEquals(List.of("ah", "ahm", "ahme", "ahmed"), tokens(a, "Ahmed"));
        assertEquals(List.of("a"), tokens(a, "a")); // shorter than min_gram: original kept
        List<String> longWord = tokens(a, "abcdefghijklmnopqrstuvwxyz");
        assertEquals(20, longWord.size()); // 19 grams (2..20) + the original
        assertTrue(longWord.contains("abcdefghijklmnopqrstuvwxyz"));
    }

    @Test
    void fullChains() throws IOException {
        Analyzer ar = chain(LOWERCASE, new DecimalDigitFilterFactory(), new ArabicNormalizationFilterFactory(),
                new ArabicStemFilterFactory());
        assertEquals(tokens(ar, "محمد بن علي مكه"), tokens(ar, "مُحَمَّدٌ بن علي مكة"));
        Analyzer fr = chain(new FrenchElisionFilterFactory(), LOWERCASE, new AsciiFoldingFilterFactory(),
                new FrenchLightStemFilterFactory());
        assertEquals(tokens(fr, "acte naissance enfant marie setif"),
                tokens(fr, "L'acte naissance enfants mariés Sétif"));
    }

    @Test
    void analyzers() throws IOException {
        try (Analyzer ar = new SijilArabicAnalyzerFactory().create()) {
            List<String> doc = tokens(ar, "وُلِدَ مُحَمَّدٌ بن علي في مكة عام ١٩٦٢");
            assertTrue(doc.contains("محمد"), doc.toString());
            assertEquals(tokens(ar, "مكه"), tokens(ar, "مكة"));
            assertTrue(doc.contains("1962"), doc.toString());
            assertTrue(!doc.contains("في"), doc.toString());
            assertEquals(tokens(ar, "احمد"), tokens(ar, "أحمد"));
            assertEquals("احمد", ar.normalize("f", "أحمد").utf8ToString());
        }
        try (Analyzer fr = new SijilFrenchAnalyzerFactory().create()) {
            assertEquals(tokens(fr, "acte naissance enfant marie setif"),
                    tokens(fr, "L'acte de naissance des enfants mariés à Sétif"));
            assertEquals("etat", fr.normalize("f", "L\u2019État").utf8ToString());
        }
    }
}
