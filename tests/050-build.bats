#!/usr/bin/env bats
# The repository as a user meets it: install and uninstall (the demo: 160-demo.bats).

load helpers

@test "make install and uninstall put every file in place and take them away" {
    dest=$BATS_TEST_TMPDIR/stage
    run make -s -C "$TOP" install PREFIX=/opt/gc DESTDIR="$dest"
    assert_success
    for f in bin/gc-attest bin/gc-verify bin/gc-pool bin/gc-amm bin/gc-issue bin/gc-settle \
        share/man/man1/gc-attest.1 share/man/man1/gc-verify.1 share/man/man1/gc-pool.1 \
        share/man/man1/gc-amm.1 share/man/man1/gc-issue.1 share/man/man1/gc-settle.1 \
        share/man/man5/gc-records.5 share/bash-completion/completions/gc-attest \
        share/bash-completion/completions/gc-verify share/bash-completion/completions/gc-pool \
        share/bash-completion/completions/gc-amm share/bash-completion/completions/gc-issue \
        share/bash-completion/completions/gc-settle \
        share/zsh/site-functions/_gc share/fish/vendor_completions.d/gc-issue.fish \
        share/fish/vendor_completions.d/gc-attest.fish share/fish/vendor_completions.d/gc-verify.fish \
        share/fish/vendor_completions.d/gc-pool.fish share/fish/vendor_completions.d/gc-amm.fish \
        share/fish/vendor_completions.d/gc-settle.fish; do
        assert_file_exists "$dest/opt/gc/$f"
    done
    run "$dest/opt/gc/bin/gc-verify" --version
    assert_success
    run make -s -C "$TOP" uninstall PREFIX=/opt/gc DESTDIR="$dest"
    assert_success
    run find "$dest" -type f
    assert_output ""
}

@test "without root or sudo, missing packages are named with the exact apt-get line" {
    command -v setpriv >/dev/null || skip "no setpriv"
    [ "$(id -u)" -eq 0 ] || skip "needs root to drop to another user"
    # somewhere the other user can reach (the test's own tmpdir may not be)
    fake=$(mktemp -d /tmp/gc-fakebin.XXXXXX)
    # dpkg-query that knows no package, and no sudo on the PATH
    printf '#!/bin/sh\nexit 1\n' >"$fake/dpkg-query"
    cp "$TOP/.ci/deps" "$fake/deps"
    chmod 755 "$fake" "$fake/dpkg-query" "$fake/deps"
    run setpriv --reuid=65534 --regid=65534 --clear-groups env PATH="$fake:/usr/bin:/bin" \
        sh "$fake/deps" build
    assert_failure 1
    assert_output --partial "missing Debian packages: build-essential pkg-config libsodium-dev"
    assert_output --partial "sudo apt-get update && sudo apt-get install -y build-essential"
    rm -rf "$fake"
}
