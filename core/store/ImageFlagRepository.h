// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/ImageFlag.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace dl {

class Store;

/// The image_flags table: at most one flag of each kind per image (for example "face"), open
/// until a QA lead confirms or dismisses it. No permission checks here.
class ImageFlagRepository
{
public:
    explicit ImageFlagRepository(QSqlDatabase db) : m_db(std::move(db)) { }
    explicit ImageFlagRepository(const Store &store);

    /// Adds an open flag unless the image has one of this kind. Returns whether one was added;
    /// std::nullopt with *error on a store error. Call inside the caller's transaction.
    std::optional<bool> addIfMissing(qint64 imageId, const QString &kind, const QString &detail,
                                     QString *error);
    /// The image's flag of this kind; std::nullopt when there is none or on error (then *error is set).
    std::optional<ImageFlag> find(qint64 imageId, const QString &kind, QString *error) const;
    /// Every flag of this kind, ordered by the images' public ids.
    QList<ImageFlag> ofKind(const QString &kind, QString *error) const;
    /// Records a review decision ("confirmed" or "dismissed") by userId (-1: nobody known).
    /// Returns whether the image had such a flag; std::nullopt with *error on a store error.
    std::optional<bool> resolve(qint64 imageId, const QString &kind, const QString &status, qint64 userId,
                                QString *error);

    /// Removes the image's flag of this kind. Returns whether there was one; std::nullopt with
    /// *error on a store error.
    std::optional<bool> remove(qint64 imageId, const QString &kind, QString *error);

private:
    QSqlDatabase m_db;
};

} // namespace dl
