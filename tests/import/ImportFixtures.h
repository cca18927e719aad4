// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

/// Builders for the files the import tests read: valid images in several
/// formats and every kind of bad file.
namespace fixtures {

/// A distinct JPEG (content depends on seed).
QByteArray jpeg(int width, int height, int seed);
QByteArray png(int width, int height, int seed);
/// A JPEG cut at a fraction of its length.
QByteArray truncatedJpeg(int seed);
/// A PNG header claiming width x height, with nothing behind it worth decoding.
QByteArray pngHeaderClaiming(quint32 width, quint32 height);

bool write(const QString &path, const QByteArray &data);
/// Writes a CSV file from rows of already-formatted lines.
bool writeText(const QString &path, const QString &text);

} // namespace fixtures
