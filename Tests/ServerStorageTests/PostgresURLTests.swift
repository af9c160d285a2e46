import ServerPostgres
import SyncServer
import Testing

@Suite("PostgreSQL URLs")
struct PostgresURLTests {
    @Test("a URL gives host, port, user, database; its description hides the password")
    func parses() throws {
        let url = try PostgresURL("postgres://outpost:s3cret@db.example:6543/inbox?sslmode=disable")
        #expect(url.configuration.host == "db.example" && url.configuration.port == 6543)
        #expect(url.configuration.username == "outpost" && url.configuration.password == "s3cret")
        #expect(url.database == "inbox" && url.configuration.database == "inbox")
        #expect(url.description == "postgres://outpost:***@db.example:6543/inbox?sslmode=disable")
        #expect(!"\(url)".contains("s3cret"))
        let plain = try PostgresURL("postgresql://outpost@localhost/inbox")
        #expect(plain.configuration.port == 5432 && plain.configuration.password == nil)
        #expect(plain.description == "postgresql://outpost@localhost/inbox")
        let socket = try PostgresURL("postgres://outpost@localhost:5433/inbox?host=/run/postgresql")
        #expect(socket.configuration.unixSocketPath == "/run/postgresql/.s.PGSQL.5433")
    }

    @Test("bad URLs are refused with invalid_argument, never echoing the password",
          arguments: [
              "mysql://u:pw-secret@h/db", "postgres://h/db", "postgres://u:pw-secret@h", "postgres://u:pw-secret@h/",
              "postgres://u:pw-secret@h/db?sslmode=sometimes", "postgres://u:pw-secret@h/db?options=x",
              "postgres://u:pw-secret@h:0/db", "postgres://u:pw-secret@h/db?host=relative/dir", "not a url", "",
          ])
    func refuses(text: String) {
        do {
            _ = try PostgresURL(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(!error.message.contains("pw-secret"), "\(error.message)")
        }
    }
}
