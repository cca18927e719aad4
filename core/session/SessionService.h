// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Assignment.h" // AssignmentStatus: the statuses a queue shows
#include "model/Image.h"
#include "model/User.h"
#include "store/SourceRepository.h"     // ImportRunRecord
#include "store/Store.h"
#include "store/StoreInspector.h"   // StoreStats

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace dl {

/// One row of a queue: an image and, in an annotator's own queue, the status of their assignment.
struct QueueEntry
{
    ImageRecord image;   ///< without the thumbnail
    QString status;      ///< an AssignmentStatus for annotators; empty for QA leads and admins
};

/// How far a dermatologist is through their queue.
struct QueueProgress
{
    qsizetype assigned = 0;
    qsizetype done = 0;
    qsizetype toDo() const { return assigned - done; }
};

/// How far one rater is through the images assigned to them.
struct RaterProgress
{
    User rater;
    qint64 assigned = 0;
    qint64 done = 0;
    qint64 skipped = 0;
    qint64 toDo() const { return assigned - done - skipped; }
};

/// How far the whole project is: what an admin or a QA lead sees first.
struct ProjectProgress
{
    qint64 images = 0;               ///< images in the store
    qint64 imagesAssigned = 0;       ///< images assigned to at least one rater
    qint64 imagesComplete = 0;       ///< of those, images every assigned rater has finished
    qint64 awaitingAdjudication = 0; ///< images with a field only a QA lead can settle
    qint64 adjudicated = 0;          ///< images with a field a QA lead has settled
    QList<RaterProgress> raters;     ///< every annotator with assignments or an active account, by name
};

/// The start of every session on a store and what the session shows first: whether the store
/// still needs its first administrator, signing in, the blinded queue, imports left unfinished.
/// The workstation and the command line call this, never the tables behind it.
///
/// Signing in is this class's job alone: the workstation hands over a name and a password and
/// gets a User or a message. On a local store the password is checked against the salted hash
/// in the users table; a team store (PostgreSQL) implements signIn() as connecting as that
/// database role and reading the account the role maps to, with the callers unchanged.
class SessionService
{
    Q_DECLARE_TR_FUNCTIONS(dl::SessionService)

public:
    explicit SessionService(Store &store) : m_store(store) { }

    /// Opens the store at path for a workstation session and takes its writer lock: an existing
    /// store, or with create a new one. Null with *error when it cannot.
    static std::unique_ptr<Store> openForWriting(const QString &path, bool create, QString *error);

    /// True when pathOrUrl names a team store (a postgresql:// URL): the server checks who signs
    /// in, so the workstation asks for the name and password before it opens the store.
    static bool isTeamStore(const QString &pathOrUrl);
    /// The user name a team store URL names (postgresql://name@host/db), or empty.
    static QString teamStoreUser(const QString &url);
    /// A team store URL as people see it (no password), or *error when it is not a valid one.
    static QString checkTeamStoreUrl(const QString &url, QString *error);
    /// Opens the team store at url as the user name with password (the server checks both) and
    /// signs in. Null with *error (wrong name or password, server unreachable, no such store...);
    /// *refused tells a refused sign-in from the other failures. A password in the URL is ignored.
    static std::unique_ptr<Store> signInToTeamStore(const QString &url, const QString &name, const QString &password,
                                                    std::optional<User> *user, bool *refused, QString *error);

    /// The name people know the store by (its file name without the extension, or a team
    /// store's database name).
    QString storeName() const;
    /// Where the store is (its file, or a team store's URL without the password).
    QString storeLocation() const;

    /// True while the store has no users: the first session creates the administrator.
    bool needsFirstAdmin(QString *error) const;
    /// Creates the store's first user, an administrator, with an audit entry; refused once the
    /// store has any user. iterations: PBKDF2 iterations, -1 for the default (tests pass few).
    std::optional<User> createFirstAdmin(const QString &name, const QString &displayName, const QString &password,
                                         QString *error, int iterations = -1);
    /// The active user with this name and password, or std::nullopt with a message for people
    /// (which never tells a wrong name, a wrong password and a disabled account apart).
    std::optional<User> signIn(const QString &name, const QString &password, QString *error);

    /// The images a user sees, in order. Blinded: an annotator's queue holds only the images
    /// assigned to them, in assignment order, each with its status; QA leads and admins see
    /// every image of the store, in import order, without a status.
    std::optional<QList<QueueEntry>> queue(const User &user, QString *error) const;
    /// The size of an annotator's queue and how much of it is done.
    QueueProgress progress(const User &user, QString *error) const;

    /// The project's progress, for those who may see everyone's work (QA leads and admins);
    /// std::nullopt with *error for anyone else or when the store cannot be read.
    std::optional<ProjectProgress> projectProgress(const User &viewer, QString *error) const;

    /// What the store holds, counted (images, cases, users, labels, image data).
    StoreStats stats(QString *error) const;

    /// Imports that started and never finished (the program stopped during them), oldest first.
    QList<ImportRunRecord> unfinishedImports(QString *error) const;

    /// The store's users, for showing who rated what: to those who may see everyone's labels
    /// (QA leads and admins).
    std::optional<QList<User>> users(const User &viewer, QString *error) const;

private:
    Store &m_store;
};

} // namespace dl
