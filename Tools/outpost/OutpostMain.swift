import OutpostCLI

/// The `outpost` executable: a thin main over ``OutpostCommand``.
@main
struct OutpostMain {
    static func main() async {
        await OutpostCommand.run()
    }
}
