#include "settings.h"

#include <QDir>

namespace cairn::studio {

namespace {
constexpr int kMaxRecent = 8;
}

Settings::Settings() : m_settings(QStringLiteral("Cairn"), QStringLiteral("Cairn Studio")) {}

QStringList Settings::recentWorkspaces() const
{
    QStringList existing;
    for (const QString &path : m_settings.value(QStringLiteral("workspaces/recent")).toStringList())
        if (QDir(path).exists())
            existing << path;
    return existing;
}

void Settings::addRecentWorkspace(const QString &path)
{
    QStringList recent = m_settings.value(QStringLiteral("workspaces/recent")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    m_settings.setValue(QStringLiteral("workspaces/recent"), recent);
}

void Settings::clearRecentWorkspaces()
{
    m_settings.remove(QStringLiteral("workspaces/recent"));
}

QString Settings::lastWorkspace() const
{
    const QStringList recent = recentWorkspaces();
    return recent.isEmpty() ? QString() : recent.first();
}

QString Settings::theme() const
{
    return m_settings.value(QStringLiteral("ui/theme"), QStringLiteral("system")).toString();
}

void Settings::setTheme(const QString &name)
{
    m_settings.setValue(QStringLiteral("ui/theme"), name);
}

QString Settings::language() const
{
    return m_settings.value(QStringLiteral("ui/language")).toString();
}

void Settings::setLanguage(const QString &code)
{
    m_settings.setValue(QStringLiteral("ui/language"), code);
}

QByteArray Settings::windowGeometry() const
{
    return m_settings.value(QStringLiteral("window/geometry")).toByteArray();
}

void Settings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings.setValue(QStringLiteral("window/geometry"), geometry);
}

QByteArray Settings::windowState() const
{
    return m_settings.value(QStringLiteral("window/state")).toByteArray();
}

void Settings::setWindowState(const QByteArray &state)
{
    m_settings.setValue(QStringLiteral("window/state"), state);
}

} // namespace cairn::studio
