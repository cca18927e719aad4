// SPDX-License-Identifier: GPL-3.0-or-later
// TLS to a team store, on the real test server (tests/pg/pg-server.sh turns ssl on with a
// certificate for localhost signed by a CA of the run): a rater signing in with
// sslmode=verify-full and that CA is on an encrypted session; a CA that did not sign the
// server's certificate, or a name the certificate is not made out for, is refused with a message
// that says so, and nothing opens; require and the
// default (prefer) encrypt too; disable does not (so the check below can fail).
#include "PostgresTestServer.h"
#include "TeamStoreFixture.h"

#include "session/SessionService.h"
#include "store/PostgresServer.h"
#include "store/Sql.h"
#include "store/Store.h"
#include "store/StoreLocation.h"

#include <QSqlDatabase>
#include <QStandardPaths>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace dl;

class TestTeamTls : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void connectOptionsCarryTheTlsSettings();
    void verifyFullSignsInEncrypted();
    void anotherCertificateAuthorityIsRefused();
    void wrongHostNameIsRefused();
    void requireAndDefaultEncrypt();

private:
    /// The store's URL on host, without password, with these options.
    QString url(const QString &host, const QList<std::pair<QString, QString>> &options) const;
    /// Whether the store's session is encrypted, as the server sees it.
    static std::optional<bool> encrypted(const Store &store);

    PostgresTestServer m_pg {u"teamtls"_s};
    std::unique_ptr<TeamStoreFixture> m_team;
    User m_rater;
    QString m_ca;
};

#define REQUIRE_SERVER()                                                                                              \
    do {                                                                                                              \
        if (PostgresTestServer::disabled())                                                                           \
            QSKIP("DERMLABEL_NO_POSTGRES=1: no PostgreSQL server");                                                   \
        QVERIFY2(m_team, "the team store was not set up");                                                            \
    } while (false)

void TestTeamTls::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    if (PostgresTestServer::disabled())
        return;
    QVERIFY2(m_pg.isAvailable(), qPrintable(m_pg.error()));
    m_ca = PostgresTestServer::certificateAuthorityFile(u"ca.pem"_s);
    if (m_ca.isEmpty() && !qEnvironmentVariable("DERMLABEL_TEST_POSTGRES_URL").isEmpty())
        QSKIP("A server given by DERMLABEL_TEST_POSTGRES_URL without DERMLABEL_TEST_POSTGRES_CA: no CA to verify it");
    QVERIFY2(!m_ca.isEmpty(), "The test server wrote no ca.pem beside its admin URL");
    auto team = std::make_unique<TeamStoreFixture>(m_pg, u"tls"_s);
    QString error;
    QVERIFY2(team->setUp(&error), qPrintable(error));
    const auto rater = team->addUser(u"tls.rater"_s, Role::Annotator, &error);
    QVERIFY2(rater, qPrintable(error));
    m_rater = *rater;
    m_team = std::move(team);
}

void TestTeamTls::cleanupTestCase()
{
    m_team.reset();
}

QString TestTeamTls::url(const QString &host, const QList<std::pair<QString, QString>> &options) const
{
    QUrl url;
    url.setScheme(u"postgresql"_s);
    url.setHost(host);
    url.setPort(m_pg.port());
    url.setPath(u'/' + m_team->location().database());
    QUrlQuery query;
    for (const auto &[key, value] : options)
        query.addQueryItem(key, QString::fromUtf8(QUrl::toPercentEncoding(value)));
    if (!query.isEmpty())
        url.setQuery(query);
    return url.toString(QUrl::FullyEncoded);
}

std::optional<bool> TestTeamTls::encrypted(const Store &store)
{
    QString error;
    const auto ssl = Sql::scalar(store.db(), u"SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"_s, {}, &error);
    if (!ssl) {
        qWarning("%s", qPrintable(error));
        return std::nullopt;
    }
    return ssl->toBool();
}

void TestTeamTls::connectOptionsCarryTheTlsSettings()
{
    QString error;
    const StoreLocation strict = StoreLocation::parse(
        u"postgresql://db.clinic.example/labels?sslmode=verify-full&sslrootcert=/etc/dermlabel/clinic%20ca.pem"_s, &error);
    QVERIFY2(strict.isValid(), qPrintable(error));
    QCOMPARE(strict.sslMode(), u"verify-full"_s);
    QVERIFY2(strict.connectOptions().contains(u"sslmode='verify-full'"_s), qPrintable(strict.connectOptions()));
    QVERIFY2(strict.connectOptions().contains(u"sslrootcert='/etc/dermlabel/clinic ca.pem'"_s),
             qPrintable(strict.connectOptions()));
    // Kept when the location is shown to open it again (the recent stores).
    const StoreLocation again = StoreLocation::parse(strict.toString(), &error);
    QCOMPARE(again.options(), strict.options());
    // Without sslmode: TLS whenever the server offers it (libpq's prefer), said explicitly.
    const StoreLocation plain = StoreLocation::parse(u"postgresql://db.clinic.example/labels"_s, &error);
    QCOMPARE(plain.sslMode(), u"prefer"_s);
    QVERIFY2(plain.connectOptions().contains(u"sslmode='prefer'"_s), qPrintable(plain.connectOptions()));
    // Not a TLS mode of libpq: refused before any connection.
    QVERIFY(!StoreLocation::parse(u"postgresql://db.clinic.example/labels?sslmode=verify"_s, &error).isValid());
    QVERIFY(error.contains(u"sslmode"_s));
}

void TestTeamTls::verifyFullSignsInEncrypted()
{
    REQUIRE_SERVER();
    const QString address = url(u"localhost"_s, {{u"sslmode"_s, u"verify-full"_s}, {u"sslrootcert"_s, m_ca}});
    std::optional<User> user;
    bool refused = false;
    QString error;
    auto store = SessionService::signInToTeamStore(address, m_rater.name, TeamStoreFixture::password(), &user,
                                                   &refused, &error);
    QVERIFY2(store, qPrintable(error));
    QVERIFY(user);
    QCOMPARE(user->id, m_rater.id);
    QCOMPARE(store->location().sslMode(), u"verify-full"_s);
    QCOMPARE(encrypted(*store), std::optional<bool>(true));
    // The store's other connections (another thread's, the change listener's) use the same options.
    QCOMPARE(store->location().options().value(u"sslrootcert"_s), m_ca);
}

void TestTeamTls::anotherCertificateAuthorityIsRefused()
{
    REQUIRE_SERVER();
    const QString other = PostgresTestServer::certificateAuthorityFile(u"other-ca.pem"_s);
    if (other.isEmpty())
        QSKIP("No unrelated CA file for this server");
    const QString address = url(u"localhost"_s, {{u"sslmode"_s, u"verify-full"_s}, {u"sslrootcert"_s, other}});
    std::optional<User> user;
    bool refused = true;
    QString error;
    auto store = SessionService::signInToTeamStore(address, m_rater.name, TeamStoreFixture::password(), &user,
                                                   &refused, &error);
    QVERIFY(!store);
    QVERIFY(!user);
    QVERIFY(!refused); // not the password's fault
    QVERIFY2(error.contains(u"certificate"_s) && error.contains(u"could not be verified"_s), qPrintable(error));
    QVERIFY2(error.contains(u"nothing was opened"_s), qPrintable(error));
    QVERIFY2(!error.contains(TeamStoreFixture::password()), qPrintable(error));

    QString probeError;
    const StoreLocation location = StoreLocation::parse(address, &probeError)
                                       .withCredentials(m_rater.name, TeamStoreFixture::password());
    QCOMPARE(PostgresServer::probe(location, &probeError), PostgresServer::Failure::CertificateNotVerified);
    // A CA file that is not there is no verification either.
    const StoreLocation missing = StoreLocation::parse(url(u"localhost"_s, {{u"sslmode"_s, u"verify-full"_s},
                                                                            {u"sslrootcert"_s, other + u".missing"_s}}),
                                                       &probeError)
                                      .withCredentials(m_rater.name, TeamStoreFixture::password());
    QCOMPARE(PostgresServer::probe(missing, &probeError), PostgresServer::Failure::CertificateNotVerified);
    QVERIFY2(probeError.contains(u"could not be verified"_s), qPrintable(probeError));
}

void TestTeamTls::wrongHostNameIsRefused()
{
    REQUIRE_SERVER();
    // The certificate is made out for localhost only: the same server as 127.0.0.1 is not the name
    // it was made out for.
    QString error;
    const StoreLocation location
        = StoreLocation::parse(url(u"127.0.0.1"_s, {{u"sslmode"_s, u"verify-full"_s}, {u"sslrootcert"_s, m_ca}}), &error)
              .withCredentials(m_rater.name, TeamStoreFixture::password());
    QCOMPARE(PostgresServer::probe(location, &error), PostgresServer::Failure::CertificateNotVerified);
    QVERIFY2(error.contains(u"could not be verified"_s), qPrintable(error));
    // verify-ca checks the signature only: the same name is accepted.
    const StoreLocation caOnly
        = StoreLocation::parse(url(u"127.0.0.1"_s, {{u"sslmode"_s, u"verify-ca"_s}, {u"sslrootcert"_s, m_ca}}), &error)
              .withCredentials(m_rater.name, TeamStoreFixture::password());
    QCOMPARE(PostgresServer::probe(caOnly, &error), PostgresServer::Failure::None);
}

void TestTeamTls::requireAndDefaultEncrypt()
{
    REQUIRE_SERVER();
    const QList<std::pair<QString, std::optional<QString>>> modes {
        {u"require"_s, u"require"_s}, {u"(none)"_s, std::nullopt}, {u"disable"_s, u"disable"_s}};
    for (const auto &[name, mode] : modes) {
        QList<std::pair<QString, QString>> options;
        if (mode)
            options.append({u"sslmode"_s, *mode});
        std::optional<User> user;
        bool refused = false;
        QString error;
        // 127.0.0.1 and no CA: nothing to verify against; require encrypts all the same.
        auto store = SessionService::signInToTeamStore(url(u"127.0.0.1"_s, options), m_rater.name,
                                                       TeamStoreFixture::password(), &user, &refused, &error);
        QVERIFY2(store, qPrintable(name + u": "_s + error));
        QCOMPARE(encrypted(*store), std::optional<bool>(mode != u"disable"_s));
    }
}

QTEST_GUILESS_MAIN(TestTeamTls)
#include "tst_teamtls.moc"
