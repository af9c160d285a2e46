#!/usr/bin/env bash
# Regenerates Sources/Wire/Generated/*.pb.swift from Protocol/*.proto. The generated code is
# committed: the build never needs protoc. Needs protoc (apt-get install protobuf-compiler) and
# protoc-gen-swift of the swift-protobuf version in Package.swift; this script builds the plugin
# from that tag into .build-protoc if it is not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
version=1.39.0

command -v protoc >/dev/null || { echo "protoc not found: apt-get install -y protobuf-compiler" >&2; exit 1; }
plugin=$(command -v protoc-gen-swift || true)
if [ -z "$plugin" ]; then
    plugin=.build-protoc/swift-protobuf/.build/release/protoc-gen-swift
    if [ ! -x "$plugin" ]; then
        rm -rf .build-protoc/swift-protobuf
        mkdir -p .build-protoc
        # The package's own checkout when the build has resolved it (offline), else GitHub.
        source=https://github.com/apple/swift-protobuf
        [ -d .build/checkouts/swift-protobuf ] && source=.build/checkouts/swift-protobuf
        git clone -q "$source" .build-protoc/swift-protobuf
        git -C .build-protoc/swift-protobuf checkout -q "$version"
        (cd .build-protoc/swift-protobuf && swift build -c release --product protoc-gen-swift)
    fi
fi
mkdir -p Sources/Wire/Generated
protoc --plugin=protoc-gen-swift="$plugin" --swift_out=Sources/Wire/Generated \
    --swift_opt=Visibility=Internal --proto_path=Protocol Protocol/outpost.proto
echo "generated Sources/Wire/Generated/outpost.pb.swift"
