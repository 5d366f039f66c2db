package dev.tandem.frontend.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.graalvm.nativeimage.hosted.Feature;
import org.graalvm.nativeimage.hosted.RuntimeReflection;

import com.hubspot.jinjava.Jinjava;

/**
 * Native image only (enabled by {@code --features} in application.properties, never loaded on a JVM): Jinjava
 * creates its filters, functions, tests and tags by reflection, and templates reach {@code loop} and the list/map
 * wrappers through bean reflection, so every class of those packages is registered with its constructors, methods
 * and fields. Listing them from the jar keeps the registration right across Jinjava upgrades.
 */
public final class JinjavaReflectionFeature implements Feature {

    static final List<String> PACKAGES = List.of("com/hubspot/jinjava/lib/", "com/hubspot/jinjava/util/",
            "com/hubspot/jinjava/objects/");

    @Override
    public void beforeAnalysis(BeforeAnalysisAccess access) {
        for (String name : classNames()) {
            Class<?> type = access.findClassByName(name);
            if (type == null) {
                continue;
            }
            try {
                RuntimeReflection.register(type);
                RuntimeReflection.register(type.getDeclaredConstructors());
                RuntimeReflection.register(type.getDeclaredMethods());
                RuntimeReflection.register(type.getDeclaredFields());
            } catch (LinkageError e) {
                // a class whose signatures name an optional dependency that is absent: Jinjava does not use it here
            }
        }
    }

    /** The binary names of the classes in {@link #PACKAGES}, read from Jinjava's jar. */
    static List<String> classNames() {
        try (JarFile jar = new JarFile(
                Path.of(Jinjava.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toFile())) {
            return jar.stream().map(ZipEntry::getName)
                    .filter(name -> name.endsWith(".class") && PACKAGES.stream().anyMatch(name::startsWith))
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
