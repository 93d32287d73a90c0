#pragma once

#include <QString>

#include <stdexcept>

namespace cairn {

/// An error a user can act on: the message says what went wrong and where.
class Error : public std::runtime_error
{
public:
    explicit Error(const QString &message)
        : std::runtime_error(message.toStdString()), m_message(message) {}
    QString message() const { return m_message; }

private:
    QString m_message;
};

} // namespace cairn
