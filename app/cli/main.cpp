// SPDX-License-Identifier: GPL-3.0-or-later
#include "Cli.h"

#include "base/Version.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("dermlabel-cli"));
    QCoreApplication::setOrganizationName(dl::programName());
    QCoreApplication::setApplicationVersion(dl::programVersion());
    dl::Cli cli;
    return cli.run(QCoreApplication::arguments());
}
