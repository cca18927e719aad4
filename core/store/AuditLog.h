// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>

namespace dl {

class Store;

/// One entry of the audit log as stored (NULL user or entity: an invalid QVariant).
struct AuditEntry
{
    qint64 id = 0;
    qint64 seq = 0;
    QString at;
    QVariant userId;
    QString action;
    QString entity;
    QVariant entityId;
    QString detail;
    QString prevHash;
    QString hash;
};

/// The end of the chain: the last entry's sequence number and hash (seq 0 and the genesis hash
/// for an empty log).
struct AuditHead
{
    qint64 seq = 0;
    QString hash;
    bool operator==(const AuditHead &) const = default;
    /// "<seq> <hash>", as kept in the settings table.
    QString toString() const;
    static std::optional<AuditHead> fromString(const QString &text);
    QJsonObject toJson() const;
};

/// What verifying the chain found.
struct AuditChainCheck
{
    qint64 entries = 0;
    AuditHead head;                       ///< the chain's last entry
    std::optional<AuditHead> recordedHead; ///< the head kept in settings (audit_head)
    bool broken = false;
    /// The first broken entry (when broken): its sequence number (the missing one, for a gap or a
    /// truncated tail), time and action (empty when the entry is missing), and what is wrong.
    qint64 brokenSeq = 0;
    QString brokenAt;
    QString brokenAction;
    QString problem;
    bool ok() const { return !broken; }
    QJsonObject toJson() const;
};

/// Appends to the audit log: who did what to which record, and when. Called
/// inside the transaction of the change it records.
///
/// The log is a hash chain. Each entry carries seq (1, 2, 3, ... without gaps), prev_hash (the
/// previous entry's hash; for seq 1 the genesis value, 64 zeros) and hash = SHA-256, in lower-case
/// hex, over the canonical serialisation (canonical()):
///
///     "dermlabel-audit-1" F(seq) F(at) F(user_id) F(action) F(entity) F(entity_id) F(detail) F(prev_hash)
///
/// where F(NULL) is "-1:" and F(v) is the byte length of v's UTF-8 in decimal, ':', then those
/// bytes (integers in decimal). The head (last seq and hash) is also kept in settings
/// (audit_head), written in the same transaction, so that a removed tail shows too.
///
/// SQLite: record() computes them under the store's write transaction (BEGIN IMMEDIATE); triggers
/// refuse UPDATE and DELETE, and an INSERT without them. PostgreSQL: a BEFORE INSERT trigger
/// (dl_audit_chain, SECURITY DEFINER, under a transaction-level advisory lock) computes them in
/// the server, overwriting whatever a client sent; the same serialisation, so both engines give
/// the same hash for the same entry.
class AuditLog
{
public:
    static bool record(const QSqlDatabase &db, qint64 userId, const QString &action, const QString &entity,
                       qint64 entityId, const QJsonObject &detail, QString *error);
    /// The same on the calling thread's connection of store (for services).
    static bool record(const Store &store, qint64 userId, const QString &action, const QString &entity,
                       qint64 entityId, const QJsonObject &detail, QString *error);

    /// The prev_hash of the first entry.
    static QString genesisHash();
    /// The key in settings that keeps the head.
    static QString headSettingKey();
    /// The bytes an entry's hash is computed over (see the class comment).
    static QByteArray canonical(const AuditEntry &entry);
    static QString entryHash(const AuditEntry &entry);

    /// Verifies the whole chain in seq order and the recorded head; names the first broken entry.
    static std::optional<AuditChainCheck> verify(const QSqlDatabase &db, QString *error);
    /// The chain's head as its last entry says (not checked).
    static std::optional<AuditHead> head(const QSqlDatabase &db, QString *error);
    /// The head kept in settings (nullopt without error when there is none).
    static std::optional<AuditHead> recordedHead(const QSqlDatabase &db, QString *error);
    /// Writes the head into settings.
    static bool writeRecordedHead(const QSqlDatabase &db, const AuditHead &head, QString *error);

    /// Schema step (inside its transaction): seals the entries written before the chain, in id
    /// order, records the head, then installs the engine's guards (SQLite: triggers refusing
    /// UPDATE, DELETE and an unsealed INSERT; PostgreSQL: the dl_audit_chain trigger).
    static bool sealForMigration(const QSqlDatabase &db, QString *error);
};

} // namespace dl
