// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

/// A file that breaks a layering rule.
struct LayerViolation
{
    QString file; ///< relative to the source root, with '/'
    QString rule; ///< sql-header, sql-text, store-internal, layer or loop
    QString detail;
};

/// The layering rules of the source tree, checked on the text of core/, ui/ and app/:
///
/// - sql-header: outside core/store, no file includes a Qt SQL header (<QSql...>, <QtSql/...>).
/// - sql-text: outside core/store, no file names QSqlQuery, QSqlDatabase or the Sql:: helpers, or
///   holds SQL ("SELECT ", "INSERT ", "UPDATE ", "DELETE "): every statement is a repository method.
/// - store-internal: outside core/store, no file includes store/Sql.h or store/Transaction.h (services
///   begin a StoreTransaction on the Store they hold).
/// - layer: core/model includes only core/model and core/base; core/store only store, model, base
///   and the helpers auth, imaging and text: never a service folder (qa, annotation, users, release,
///   export, import, interchange, masks, demo, ...).
/// - loop: the folders of core include each other without a cycle.
class LayerCheck
{
public:
    static QList<LayerViolation> check(const QString &sourceRoot);
};
