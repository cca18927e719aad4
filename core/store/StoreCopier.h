// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/AuditLog.h"
#include "store/StoreLocation.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>

namespace dl {

class Store;

/// One table of a copy: its rows and checksum on each side.
struct TableComparison
{
    QString table;
    qint64 sourceRows = 0;
    qint64 targetRows = 0;
    QString sourceSha256;
    QString targetSha256;
    qint64 copied = 0; ///< rows written by this run (0 when the target had them all)

    bool matches() const { return sourceRows == targetRows && sourceSha256 == targetSha256; }
};

/// The image files of a copy: how many of the store's images have their file on each side (a store
/// file: in its image folder; a team store: stored whole in the server, ImageBlobRepository), and
/// a SHA-256 over their sorted content hashes. Each file's content was checked against its hash
/// when it was copied.
struct ImageComparison
{
    qint64 sourceFiles = 0;
    qint64 targetFiles = 0;
    QString sourceSha256;
    QString targetSha256;
    qint64 copied = 0;
    /// Images of the store whose file the source does not have (they cannot be copied).
    QStringList missingInSource;

    bool matches() const { return sourceFiles == targetFiles && sourceSha256 == targetSha256; }
};

struct CopyProgress
{
    enum class Phase { Images, Tables, Verifying };
    Phase phase = Phase::Tables;
    QString table; ///< the table being copied or verified (Tables, Verifying)
    qint64 done = 0;
    qint64 total = 0;
};

/// What StoreCopier::run() did.
struct CopyReport
{
    enum class Outcome {
        Failed,    ///< see error; the target's tables are as they were
        Cancelled, ///< stopped on request; the target's tables are as they were
        Copied,    ///< the target was empty and now holds the copy
        Completed, ///< the target was an earlier copy of the same store; what it lacked was copied
        Identical, ///< the target already was an identical copy; nothing was written
    };
    Outcome outcome = Outcome::Failed;
    QString error;
    QList<TableComparison> tables;
    ImageComparison images;
    /// Team store target: users whose server login role this run created (without a password:
    /// an administrator sets one with `dermlabel-cli users password`). Local target: every user
    /// (a team store keeps no password hashes, so none can sign in before a password is set).
    QStringList usersWithoutPassword;
    /// Team store target: users whose login role existed on the server already (they keep its
    /// password).
    QStringList usersWithExistingRole;
    /// The audit chain's last entry (seq and hash) on each side: the log is copied verbatim, so
    /// they are the same, and so is the head kept in settings (copied with it).
    AuditHead sourceAuditHead;
    AuditHead targetAuditHead;

    bool ok() const
    {
        return outcome == Outcome::Copied || outcome == Outcome::Completed || outcome == Outcome::Identical;
    }
    /// Every table, the audit chain's head and the image files match.
    bool identical() const;
    QJsonObject toJson() const;
};

/// Copies a whole store into another, SQLite to PostgreSQL or back (or SQLite to SQLite), and
/// proves the copy with checksums.
///
/// Generic over the schema: the tables come from SchemaTables::inDependencyOrder(), their
/// columns from the source (QSqlRecord), rows keep their ids, and every row is read in pages by
/// primary key (keyset paging), so memory stays bounded whatever the blobs (masks,
/// thumbnails). The source is read in one snapshot (a read transaction).
///
/// The target is a new or empty store (Store::open created it with the normal migrations; its
/// schema version must equal the source's), or an earlier copy of the same store (the same
/// secret, so pseudonyms stay the same): then only missing rows and files are copied. A target
/// holding another store is refused before anything is written.
///
/// Order: first the image files (content-addressed: a file without its row is harmless and is
/// used again by the next run), then all tables in ONE transaction on the target, verified
/// inside it before the commit. One transaction rather than one per table: a cancelled or failed
/// copy leaves the target exactly as it was (empty, or the earlier copy), never a half store with
/// assignments but no labels, and a second run needs no notion of a half-copied table. On
/// PostgreSQL the server holds the uncommitted rows, not this process.
///
/// A team store target: users become login roles (dl_adopt_user) in their group; their rows
/// keep no password hash ("server"); identity sequences are advanced past the copied ids; the
/// target's triggers are off during the copy (the consensus_stale rows come from the source).
/// The target's connection must be the store owner's (who runs `init`). A Store reads its secret
/// when it opens: open the target again to use the copied secret (pseudonyms).
class StoreCopier
{
public:
    using Progress = std::function<void(const CopyProgress &)>;

    StoreCopier(Store &source, Store &target);

    /// Copies and verifies. cancel is polled between pages and files.
    CopyReport run(const Progress &progress = {}, const std::atomic_bool *cancel = nullptr);

    /// The row count and canonical checksum of each table of a store (SchemaTables order). The
    /// serialisation is engine-independent: per value a type tag (null, integer, real, text,
    /// bytes) and its canonical bytes, rows in primary-key order (text keys in byte order).
    /// Not part of it: users.password_hash (a team store keeps passwords in the server) and
    /// the settings local to one database (settingIsLocal).
    static QList<TableComparison> checksums(const Store &store, QString *error);

    /// Settings that belong to one database, not to the store: never copied nor compared
    /// (team_security: the hash of the installed server rules), and the audit chain's recorded
    /// head (audit_head), which changes with every entry: copied on its own after the log, and
    /// compared as the heads of the two chains.
    static bool settingIsLocal(const QString &key);

    /// The schema version of the store at location without opening (or creating, or
    /// upgrading) it: 0 when there is no store there yet (no file, no database, an empty one),
    /// -1 with *error when it cannot be read.
    static int peekSchemaVersion(const StoreLocation &location, QString *error);

    /// Opens the target of a copy of a store with schema sourceVersion: creates it with the
    /// normal migrations when missing, refuses a store at another schema version, takes the
    /// writer lock (SQLite) and on PostgreSQL installs the team store's rules (the connection
    /// must be the owner's: a role that may create roles).
    static std::unique_ptr<Store> openTarget(const StoreLocation &location, int sourceVersion, QString *error);

private:
    Store &m_source;
    Store &m_target;
};

} // namespace dl
