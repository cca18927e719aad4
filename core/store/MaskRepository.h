// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Mask.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <optional>

namespace dl {

class Store;

/// The masks table: every save of a layer is a new row whose version is one more than the layer's
/// highest; older versions are kept. No permission checks here: MaskService decides who may read
/// or write what. Bound parameters only; portable SQL.
class MaskRepository
{
public:
    explicit MaskRepository(QSqlDatabase db) : m_db(std::move(db)) { }
    explicit MaskRepository(const Store &store);

    /// Adds the next version of a layer and returns it (1 for the first), or -1 with *error.
    /// Call inside a transaction. *rowId receives the new row's id when given.
    int addVersion(qint64 annotationId, const QString &layer, const QString &encoding, int width, int height,
        const QByteArray &data, QString *error, qint64 *rowId = nullptr);

    /// The highest version of a layer (with data); std::nullopt when there is none or on error
    /// (then *error is set).
    std::optional<MaskRecord> latest(qint64 annotationId, const QString &layer, QString *error) const;
    /// The highest version of every layer of an annotation (with data), ordered by layer.
    QList<MaskRecord> latestOfEachLayer(qint64 annotationId, QString *error) const;
    /// latestOfEachLayer() of every annotation that has masks, by annotation id.
    QHash<qint64, QList<MaskRecord>> latestOfEachLayerByAnnotation(QString *error) const;
    /// One version (with data).
    std::optional<MaskRecord> version(
        qint64 annotationId, const QString &layer, int version, QString *error) const;
    /// Every version of a layer, or of all layers when layer is empty, without data (dataSize is
    /// set), ordered by layer and version.
    QList<MaskRecord> versions(qint64 annotationId, const QString &layer, QString *error) const;

    /// Every annotation with at least one mask version, with its image and rater, ordered by
    /// image id then rater name.
    QList<MaskedAnnotation> maskedAnnotations(QString *error) const;

private:
    QList<MaskRecord> select(
        const QString &where, const QVariantList &binds, bool withData, QString *error) const;
    QSqlDatabase m_db;
};

} // namespace dl
