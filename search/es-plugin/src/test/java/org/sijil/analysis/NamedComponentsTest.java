package org.sijil.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.elasticsearch.plugin.NamedComponent;
import org.junit.jupiter.api.Test;

/** Keeps the hand-written named_components.json and descriptor in sync with the @NamedComponent classes. */
class NamedComponentsTest {

    private static final Path METADATA = Path.of(System.getProperty("sijil.pluginMetadataDir", "src/main/plugin-metadata"));
    private static final Path CLASSES = Path.of(System.getProperty("sijil.classesDir", "target/classes"));
    private static final List<String> EXTENSIBLES = List.of(
            "org.elasticsearch.plugin.analysis.TokenFilterFactory",
            "org.elasticsearch.plugin.analysis.AnalyzerFactory",
            "org.elasticsearch.plugin.analysis.CharFilterFactory",
            "org.elasticsearch.plugin.analysis.TokenizerFactory");

    /** interface -> (component name -> class); the file is a flat two-level object of strings. */
    static Map<String, Map<String, String>> readNamedComponents() throws IOException {
        String json = Files.readString(METADATA.resolve("named_components.json"), StandardCharsets.UTF_8);
        Map<String, Map<String, String>> result = new TreeMap<>();
        Matcher block = Pattern.compile("\"([\\w.$]+)\"\\s*:\\s*\\{([^{}]*)\\}").matcher(json);
        while (block.find()) {
            Map<String, String> components = new TreeMap<>();
            Matcher pair = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\"([^\"]+)\"").matcher(block.group(2));
            while (pair.find()) {
                assertTrue(components.put(pair.group(1), pair.group(2)) == null, "duplicate " + pair.group(1));
            }
            result.put(block.group(1), components);
        }
        return result;
    }

    @Test
    void everyListedComponentExistsAndMatches() throws Exception {
        Map<String, Map<String, String>> listed = readNamedComponents();
        assertTrue(!listed.isEmpty());
        for (var entry : listed.entrySet()) {
            assertTrue(EXTENSIBLES.contains(entry.getKey()), "unknown extensible " + entry.getKey());
            Class<?> extensible = Class.forName(entry.getKey());
            for (var component : entry.getValue().entrySet()) {
                Class<?> clazz = Class.forName(component.getValue());
                NamedComponent named = clazz.getAnnotation(NamedComponent.class);
                assertNotNull(named, clazz + " lacks @NamedComponent");
                assertEquals(component.getKey(), named.value(), "name mismatch for " + clazz);
                assertTrue(component.getKey().startsWith("sijil_"), component.getKey());
                assertTrue(extensible.isAssignableFrom(clazz), clazz + " does not implement " + extensible);
                assertTrue(Modifier.isPublic(clazz.getModifiers()));
                assertNotNull(clazz.getConstructor().newInstance()); // Elasticsearch needs a public no-arg constructor
            }
        }
    }

    @Test
    void everyAnnotatedClassIsListed() throws Exception {
        Map<String, String> listedClasses = new TreeMap<>();
        readNamedComponents().values().forEach(m -> m.forEach((name, cls) -> listedClasses.put(cls, name)));
        int found = 0;
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                String className = CLASSES.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> clazz = Class.forName(className);
                NamedComponent named = clazz.getAnnotation(NamedComponent.class);
                if (named != null) {
                    found++;
                    if (!named.value().equals(listedClasses.get(className))) {
                        fail(className + " (@NamedComponent \"" + named.value() + "\") is missing from named_components.json");
                    }
                }
            }
        }
        assertEquals(listedClasses.size(), found);
    }

    @Test
    void descriptorHasRequiredKeys() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(METADATA.resolve("stable-plugin-descriptor.properties"), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        for (String key : List.of("name", "description", "version", "elasticsearch.version", "java.version")) {
            assertNotNull(p.getProperty(key), key);
        }
        assertEquals("sijil-analysis", p.getProperty("name"));
    }
}
