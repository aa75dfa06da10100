package org.aio4j.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RootedPathsTest {
    @TempDir
    Path tmp;

    Path root;
    Path outside;
    RootedPaths paths;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.writeString(tmp.resolve("secret.txt"), "secret");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/a b.txt"), "hello");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("escapedir"), tmp);
        Files.createSymbolicLink(root.resolve("inside"), root.resolve("sub/a b.txt"));
        paths = new RootedPaths(root);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "..",
                "../secret.txt",
                "sub/../../secret.txt",
                "%2e%2e/secret.txt",
                "%2E%2E/secret.txt",
                ".%2e/secret.txt",
                "sub/%2e%2e/%2e%2e/secret.txt",
                "..%2fsecret.txt",
                "..%2Fsecret.txt",
                "sub%2f..%2f..%2fsecret.txt",
                "..%5csecret.txt",
                "/etc/passwd",
                "%2fetc%2fpasswd",
                "sub//a b.txt",
                "sub/./a b.txt",
                "secret.txt%00.png",
                "a%0ab",
                "%",
                "%zz",
                "%c0%ae%c0%ae/secret.txt",
                "caf\u00e9.txt", // raw non-ASCII: only the percent-encoded form is accepted
                "caf\u00c3\u00a9.txt",
                ""
            })
    void lexicalRefusals(String raw) {
        assertThatThrownBy(() -> paths.lexical(raw)).isInstanceOf(RootedPaths.BadPathException.class);
    }

    @Test
    void decodesSegments() throws Exception {
        assertThat(paths.existing("sub/a%20b.txt", true))
                .isEqualTo(root.toRealPath().resolve("sub/a b.txt"));
        assertThat(paths.existing("sub/a b.txt", false))
                .isEqualTo(root.toRealPath().resolve("sub/a b.txt"));
        assertThat(RootedPaths.decode("caf%C3%A9+x")).isEqualTo("café+x");
    }

    @Test
    void symlinksOutsideAreRefused() {
        assertThatThrownBy(() -> paths.existing("escape", true)).isInstanceOf(RootedPaths.OutsideRootException.class);
        assertThatThrownBy(() -> paths.existing("escapedir/secret.txt", true))
                .isInstanceOf(RootedPaths.OutsideRootException.class);
        assertThatThrownBy(() -> paths.writable("escapedir/new.txt", true))
                .isInstanceOf(RootedPaths.OutsideRootException.class);
        assertThatThrownBy(() -> paths.writable("escape", true)).isInstanceOf(RootedPaths.OutsideRootException.class);
        assertThat(Files.exists(tmp.resolve("new.txt"))).isFalse();
    }

    @Test
    void symlinksInsideAreFollowed() throws Exception {
        assertThat(paths.existing("inside", true)).isEqualTo(root.toRealPath().resolve("sub/a b.txt"));
    }

    @Test
    void missingFileIsNoSuchFile() {
        assertThatThrownBy(() -> paths.existing("nope.txt", true)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void writableCreatesParentsInsideOnly() throws Exception {
        Path p = paths.writable("x/y/z.bin", true);
        assertThat(p).isEqualTo(root.toRealPath().resolve("x/y/z.bin"));
        assertThat(Files.isDirectory(root.resolve("x/y"))).isTrue();
        assertThatThrownBy(() -> paths.writable("sub", true)).isInstanceOf(RootedPaths.BadPathException.class);
    }
}
