// SPDX-License-Identifier: GPL-3.0-or-later
#include "session/SessionService.h"

#include "auth/Permissions.h"
#include "auth/SignInThrottle.h"
#include "store/AssignmentRepository.h"
#include "store/AuditLog.h"
#include "store/ConsensusRepository.h"
#include "store/ImageRepository.h"
#include "store/PostgresServer.h"
#include "store/StoreTransaction.h"
#include "store/TeamSecurity.h"
#include "store/UserRepository.h"
#include "users/UserService.h"

#include <QFileInfo>
#include <QJsonObject>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace dl {

std::unique_ptr<Store> SessionService::openForWriting(const QString &path, bool create, QString *error)
{
    auto store = Store::open(path, create ? Store::OpenMode::CreateNew : Store::OpenMode::MustExist, error);
    if (store && !store->lockForWriting(error))
        store.reset();
    return store;
}

bool SessionService::isTeamStore(const QString &pathOrUrl)
{
    return StoreLocation::isUrl(pathOrUrl.trimmed());
}

QString SessionService::teamStoreUser(const QString &url)
{
    QString error;
    const StoreLocation location = StoreLocation::parse(url.trimmed(), &error);
    return location.isPostgres() ? location.user() : QString();
}

QString SessionService::checkTeamStoreUrl(const QString &url, QString *error)
{
    const QString trimmed = url.trimmed();
    if (!StoreLocation::isUrl(trimmed)) {
        *error = tr("A team store is named by a URL such as postgresql://server.example.org/dermlabel.");
        return {};
    }
    const StoreLocation location = StoreLocation::parse(trimmed, error);
    if (!location.isPostgres()) {
        if (error->isEmpty())
            *error = tr("A team store is named by a URL such as postgresql://server.example.org/dermlabel.");
        return {};
    }
    return location.displayName();
}

std::unique_ptr<Store> SessionService::signInToTeamStore(const QString &url, const QString &name,
                                                         const QString &password, std::optional<User> *user,
                                                         bool *refused, QString *error)
{
    *refused = false;
    user->reset();
    const QString trimmed = name.trimmed();
    const StoreLocation location = StoreLocation::parse(url.trimmed(), error);
    if (!location.isPostgres()) {
        if (error->isEmpty())
            *error = tr("A team store is named by a URL such as postgresql://server.example.org/dermlabel.");
        return nullptr;
    }
    if (trimmed.isEmpty() || password.isEmpty()) {
        *refused = true;
        *error = tr("Enter your user name and password.");
        return nullptr;
    }
    // The first connection is already the user's: a wrong password never opens the store.
    QString openError;
    auto store = Store::open(location.withCredentials(trimmed, password), Store::OpenMode::MustExist, &openError);
    if (!store) {
        // Tell a refused sign-in from an unreachable server or a missing store, in the words of signIn().
        QString probeError;
        const PostgresServer::Failure failure = PostgresServer::probe(location.withCredentials(trimmed, password), &probeError);
        const bool wrongPassword = PostgresServer::isRefusedSignIn(failure);
        *refused = wrongPassword;
        *error = wrongPassword ? tr("The user name or password is wrong, or the account is disabled.") : openError;
        return nullptr;
    }
    QString signInError;
    *user = SessionService(*store).signIn(trimmed, password, &signInError);
    if (!*user) {
        *refused = true;
        *error = signInError;
        return nullptr;
    }
    return store;
}

QString SessionService::storeName() const
{
    if (m_store.location().isPostgres())
        return m_store.location().database();
    return QFileInfo(m_store.path()).completeBaseName();
}

QString SessionService::storeLocation() const
{
    return m_store.path();
}

bool SessionService::needsFirstAdmin(QString *error) const
{
    QString readError;
    const qint64 users = UserRepository(m_store).count(&readError);
    if (!readError.isEmpty()) {
        *error = readError;
        return false;
    }
    return users == 0;
}

std::optional<User> SessionService::createFirstAdmin(const QString &name, const QString &displayName,
                                                     const QString &password, QString *error, int iterations)
{
    if (!UserService::checkNewPassword(password, error))
        return std::nullopt;
    StoreTransaction tx(m_store);
    if (!tx.isActive()) {
        *error = tx.error();
        return std::nullopt;
    }
    QString readError;
    if (!needsFirstAdmin(&readError)) {
        *error = readError.isEmpty() ? tr("This store has its administrator already: sign in instead.") : readError;
        return std::nullopt;
    }
    UserRepository users(m_store);
    const qint64 id = users.add(name.trimmed(), displayName.trimmed(), Role::Admin, password, error, iterations);
    if (id < 0 || !AuditLog::record(m_store, id, u"user.create"_s, u"user"_s, id, {{u"role"_s, roleKey(Role::Admin)}}, error))
        return std::nullopt;
    auto admin = users.findById(id, error);
    if (!admin)
        return std::nullopt;
    if (!tx.commit()) {
        *error = tx.error();
        return std::nullopt;
    }
    return admin;
}

std::optional<User> SessionService::signIn(const QString &name, const QString &password, QString *error)
{
    const QString trimmed = name.trimmed();
    SignInThrottle &throttle = SignInThrottle::instance();
    const QString storeKey = m_store.location().displayName();
    if (const int wait = throttle.secondsToWait(storeKey, trimmed); wait > 0) {
        *error = tr("Too many failed sign-ins with this name. Try again in %n second(s).", nullptr, wait);
        return std::nullopt;
    }
    const QString refused = tr("The user name or password is wrong, or the account is disabled.");
    if (m_store.location().isPostgres() && TeamSecurity::managesUsers(m_store.db())) {
        // A team store: the server checks the password; the session's connections are the user's.
        // (Failed connections are the server's to log: nothing of the store can be written then.)
        bool wrong = false;
        QString connectError;
        if (!m_store.connectAs(trimmed, password, &wrong, &connectError)) {
            if (wrong)
                throttle.failed(storeKey, trimmed);
            *error = wrong ? refused : connectError;
            return std::nullopt;
        }
        auto user = UserRepository(m_store).findByName(trimmed, error);
        if (!user || !user->active) {
            throttle.failed(storeKey, trimmed);
            *error = refused;
            return std::nullopt;
        }
        throttle.succeeded(storeKey, trimmed);
        AuditLog::record(m_store, user->id, u"sign-in"_s, u"user"_s, user->id, {}, nullptr);
        return user;
    }
    bool known = false;
    UserRepository users(m_store);
    auto user = users.authenticate(trimmed, password, &known);
    if (!user) {
        throttle.failed(storeKey, trimmed);
        *error = refused;
        // Who tried, when the name is an account's; a name that is none is not written down (it
        // may be a password typed into the wrong field).
        const auto account = known ? users.findByName(trimmed) : std::nullopt;
        AuditLog::record(m_store, account ? account->id : -1, u"sign-in-failed"_s, u"user"_s,
                         account ? account->id : -1,
                         account ? QJsonObject {{u"name"_s, account->name}} : QJsonObject {{u"name"_s, u"(no such user)"_s}},
                         nullptr);
        return std::nullopt;
    }
    throttle.succeeded(storeKey, trimmed);
    AuditLog::record(m_store, user->id, u"sign-in"_s, u"user"_s, user->id, {}, nullptr);
    return user;
}

std::optional<QList<QueueEntry>> SessionService::queue(const User &user, QString *error) const
{
    ImageRepository images(m_store);
    QList<QueueEntry> entries;
    QString readError;
    if (user.role == Role::Annotator) {
        // Blinded: an annotator's browser is their own queue.
        for (const AssignmentRecord &record : AssignmentRepository(m_store).forUser(user.id, &readError)) {
            if (auto image = images.find(record.imageId, &readError))
                entries.append({*image, record.status});
        }
    } else {
        for (const ImageRecord &image : images.list(0, std::numeric_limits<int>::max(), &readError))
            entries.append({image, {}});
    }
    if (!readError.isEmpty()) {
        *error = readError;
        return std::nullopt;
    }
    return entries;
}

QueueProgress SessionService::progress(const User &user, QString *error) const
{
    QueueProgress progress;
    const QList<AssignmentRecord> queue = AssignmentRepository(m_store).forUser(user.id, error);
    progress.assigned = queue.size();
    for (const AssignmentRecord &record : queue)
        progress.done += record.status == AssignmentStatus::Done ? 1 : 0;
    return progress;
}

std::optional<ProjectProgress> SessionService::projectProgress(const User &viewer, QString *error) const
{
    if (!Permissions::check(viewer, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString readError;
    ProjectProgress progress;
    progress.images = ImageRepository(m_store).count(&readError);
    const ImageCompletion completion = AssignmentRepository(m_store).imageCompletion(&readError);
    progress.imagesAssigned = completion.assigned;
    progress.imagesComplete = completion.complete;
    for (const ConsensusStatusCount &count : ConsensusRepository(m_store).statusCounts(&readError)) {
        if (count.status == ConsensusStatus::Adjudicate)
            progress.awaitingAdjudication = count.images;
        else if (count.status == ConsensusStatus::Adjudicated)
            progress.adjudicated = count.images;
    }
    const auto counts = AssignmentRepository(m_store).countsByUserAndStatus(&readError);
    for (const User &user : UserRepository(m_store).list(&readError)) {
        const auto byStatus = counts.value(user.id);
        if (user.role != Role::Annotator || (byStatus.isEmpty() && !user.active))
            continue;
        RaterProgress rater {.rater = user};
        for (auto it = byStatus.cbegin(); it != byStatus.cend(); ++it)
            rater.assigned += it.value();
        rater.done = byStatus.value(AssignmentStatus::Done);
        rater.skipped = byStatus.value(AssignmentStatus::Skipped);
        progress.raters.append(rater);
    }
    std::sort(progress.raters.begin(), progress.raters.end(),
              [](const RaterProgress &a, const RaterProgress &b) { return a.rater.name < b.rater.name; });
    if (!readError.isEmpty()) {
        if (error)
            *error = readError;
        return std::nullopt;
    }
    return progress;
}

StoreStats SessionService::stats(QString *error) const
{
    return StoreInspector(m_store).stats(error);
}

QList<ImportRunRecord> SessionService::unfinishedImports(QString *error) const
{
    return SourceRepository(m_store).unfinishedRuns(-1, error);
}

std::optional<QList<User>> SessionService::users(const User &viewer, QString *error) const
{
    if (!Permissions::check(viewer, Action::ViewAllAnnotations, error))
        return std::nullopt;
    QString readError;
    const QList<User> users = UserRepository(m_store).list(&readError);
    if (readError.isEmpty())
        return users;
    *error = readError;
    return std::nullopt;
}

} // namespace dl
