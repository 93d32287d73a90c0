#pragma once

#include <QSettings>
#include <QStringList>

namespace cairn::studio {

/// The user's settings kept between launches (~/.config/Cairn/Cairn Studio.conf).
class Settings
{
public:
    Settings();

    QStringList recentWorkspaces() const;
    void addRecentWorkspace(const QString &path);
    void clearRecentWorkspaces();
    QString lastWorkspace() const;

    QString theme() const;
    void setTheme(const QString &name);
    /// "" follows the system locale; "en" or "zh_CN".
    QString language() const;
    void setLanguage(const QString &code);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);

private:
    QSettings m_settings;
};

} // namespace cairn::studio
