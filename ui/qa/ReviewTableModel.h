// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "model/Annotation.h"
#include "qa/ConsensusService.h"
#include "taxonomy/Taxonomy.h"

#include <QAbstractTableModel>

namespace dl {

/// One image's labels side by side for the review dialog: a row per consensus field (in the
/// order of the label form, named by LabelFields::displayName), the rank-1 diagnosis, the
/// differential with confidences and the note; a column per rater (by name: QA leads may see
/// who said what) and the consensus with its status last. Rows where the raters' answers
/// differ or whose consensus is open are flagged (DisagreementRole) and highlighted.
class ReviewTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    struct Rater
    {
        qint64 userId = -1;
        QString name;
        QString displayName;
    };
    enum Roles {
        FieldRole = Qt::UserRole + 1, ///< the row's field ("diagnosis", "differential", "note", ...)
        RaterRole,        ///< the column's user name (empty for the field and consensus columns)
        ValueRole,        ///< the stored value of the cell
        StatusRole,       ///< consensus column: int(ConsensusStatus), or -1 without a consensus
        DisagreementRole, ///< bool, any column
    };
    enum Level { Agreement, Differs, Open }; ///< how a row is highlighted

    explicit ReviewTableModel(QObject *parent = nullptr);

    /// `annotations` pairs with `raters` (the same order); rows of `consensus` are one image's.
    void setReview(const QList<Rater> &raters, const QList<Annotation> &annotations,
                   const QList<ConsensusRow> &consensus, const QList<WeightedCondition> &differential);
    void setTaxonomy(const Taxonomy &taxonomy);

    /// The fields shown, by row.
    const QStringList &fields() const { return m_fields; }
    int rowOf(const QString &field) const;
    int consensusColumn() const { return int(m_raters.size()) + 1; }
    const QList<Rater> &raters() const { return m_raters; }
    /// The value of `field` in rater `rater`'s annotation (index into raters()).
    QString value(const QString &field, int rater) const;
    /// The stored consensus of a field (nullptr when there is none, e.g. a question made moot).
    const FieldConsensus *consensus(const QString &field) const;
    Level level(int row) const;
    /// Every condition a rater named, in order of first mention (for adjudicating the diagnosis).
    QStringList namedConditions() const;
    /// True for the rows a QA lead can adjudicate.
    static bool isAdjudicable(const QString &field);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString displayValue(const QString &field, int rater) const;
    QString consensusText(const QString &field) const;

    QList<Rater> m_raters;
    QList<Annotation> m_annotations;
    QList<ConsensusRow> m_consensus;
    QList<WeightedCondition> m_differential;
    QStringList m_fields;
    Taxonomy m_taxonomy;
};

} // namespace dl
