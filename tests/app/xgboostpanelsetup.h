#pragma once
// What the panel tests that run real XGBoost jobs share: the shared data sets, where screenshots
// go, and the check that the data and the xgboost plugin are here.

#include "cairn/algorithms/pluginmanager.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QString>

namespace xgboostpanel {

/// A table of the shared data, e.g. "titanic.csv" → …/shared/data/tabular/titanic.csv.
inline QString sharedTable(const QString &fileName)
{
    return QDir::cleanPath(QDir(QStringLiteral(CAIRN_SHARED_DATA_DIR)).filePath(QStringLiteral("tabular/") + fileName));
}

inline QString screenshotPath(const QString &name)
{
    const QString dir = QDir(QStringLiteral(CAIRN_BUILD_DIR)).filePath(QStringLiteral("screenshots"));
    QDir().mkpath(dir);
    return QDir(dir).filePath(name);
}

/// Points the panels' jobs at the built `cairn`, and says why XGBoost on `dataFile` cannot run
/// here (empty when it can), for initTestCase() to QSKIP with.
inline QString setUp(const QString &dataFile)
{
    qputenv("CAIRN_CLI", CAIRN_CLI_PATH);
    if (!QFileInfo::exists(dataFile))
        return QStringLiteral("the shared data (%1) is not here").arg(QFileInfo(dataFile).fileName());
    cairn::PluginManager plugins;
    for (const QJsonObject &m : plugins.algorithmMetadata()) {
        if (m.value(QStringLiteral("id")).toString() == QLatin1String("xgboost"))
            return {};
    }
    return QStringLiteral("the xgboost plugin is not built");
}

} // namespace xgboostpanel
