#include "cairn/notebook/outputs.h"

#include "cairn/notebook/kernelclient.h"
#include "cairn/notebook/notebook.h"

#include <QStringList>

namespace cairn {

namespace {

const QLatin1String kOutputType("output_type");

// nbformat keeps text/*, JavaScript and SVG as lists of lines (its split_lines); images stay strings.
QJsonObject normaliseData(const QJsonObject &data)
{
    QJsonObject out;
    for (auto it = data.begin(); it != data.end(); ++it) {
        const QString mime = it.key();
        const bool split = mime.startsWith(QLatin1String("text/")) || mime == QLatin1String("application/javascript")
                           || mime == QLatin1String("image/svg+xml");
        if (it.value().isString() && split)
            out[mime] = splitMultiline(it.value().toString());
        else
            out[mime] = it.value();
    }
    return out;
}

} // namespace

QJsonArray OutputCollector::nbformatOutputs() const
{
    QJsonArray outputs;
    for (const QJsonValue &value : m_outputs) {
        QJsonObject output = value.toObject();
        output.remove(QStringLiteral("transient"));
        outputs.append(output);
    }
    return outputs;
}

void OutputCollector::clear()
{
    m_outputs = QJsonArray();
    m_clearOnNext = false;
}

void OutputCollector::clearPending()
{
    if (m_clearOnNext) {
        m_outputs = QJsonArray();
        m_clearOnNext = false;
    }
}

bool OutputCollector::apply(const KernelMessage &message, int *changedIndex)
{
    const QString type = message.type();
    const QJsonObject &content = message.content;
    auto changed = [&](int index) {
        if (changedIndex)
            *changedIndex = index;
        return true;
    };

    if (type == QLatin1String("clear_output")) {
        if (content.value(QLatin1String("wait")).toBool()) {
            m_clearOnNext = true;
            return false;
        }
        m_outputs = QJsonArray();
        m_clearOnNext = false;
        return changed(-1);
    }
    if (type == QLatin1String("stream")) {
        const bool hadClear = m_clearOnNext;
        clearPending();
        const QString name = content.value(QLatin1String("name")).toString(QStringLiteral("stdout"));
        const QString text = content.value(QLatin1String("text")).toString();
        const int last = int(m_outputs.size()) - 1;
        if (last >= 0) {
            QJsonObject previous = m_outputs.at(last).toObject();
            if (previous.value(kOutputType).toString() == QLatin1String("stream")
                && previous.value(QLatin1String("name")).toString() == name) {
                const QString merged = applyCarriageReturns(joinMultiline(previous.value(QLatin1String("text"))) + text);
                previous[QStringLiteral("text")] = splitMultiline(merged);
                m_outputs[last] = previous;
                return changed(hadClear ? -1 : last);
            }
        }
        m_outputs.append(QJsonObject{{kOutputType, QStringLiteral("stream")},
                                     {QStringLiteral("name"), name},
                                     {QStringLiteral("text"), splitMultiline(applyCarriageReturns(text))}});
        return changed(hadClear ? -1 : int(m_outputs.size()) - 1);
    }
    if (type == QLatin1String("display_data") || type == QLatin1String("execute_result")) {
        const bool hadClear = m_clearOnNext;
        clearPending();
        QJsonObject output{{kOutputType, type},
                           {QStringLiteral("data"), normaliseData(content.value(QLatin1String("data")).toObject())},
                           {QStringLiteral("metadata"), content.value(QLatin1String("metadata")).toObject()}};
        if (type == QLatin1String("execute_result")) {
            m_executionCount = content.value(QLatin1String("execution_count")).toInt();
            output[QStringLiteral("execution_count")] = m_executionCount;
        }
        // The display id is not part of nbformat; it is kept while this collector lives.
        const QString displayId = content.value(QLatin1String("transient")).toObject().value(QLatin1String("display_id")).toString();
        if (!displayId.isEmpty())
            output[QStringLiteral("transient")] = QJsonObject{{QStringLiteral("display_id"), displayId}};
        m_outputs.append(output);
        return changed(hadClear ? -1 : int(m_outputs.size()) - 1);
    }
    if (type == QLatin1String("update_display_data")) {
        const QString displayId = content.value(QLatin1String("transient")).toObject().value(QLatin1String("display_id")).toString();
        for (int i = 0; i < m_outputs.size(); ++i) {
            QJsonObject output = m_outputs.at(i).toObject();
            if (output.value(QLatin1String("transient")).toObject().value(QLatin1String("display_id")).toString() != displayId)
                continue;
            output[QStringLiteral("data")] = normaliseData(content.value(QLatin1String("data")).toObject());
            output[QStringLiteral("metadata")] = content.value(QLatin1String("metadata")).toObject();
            m_outputs[i] = output;
            return changed(i);
        }
        return false;
    }
    if (type == QLatin1String("error")) {
        const bool hadClear = m_clearOnNext;
        clearPending();
        m_error = QJsonObject{{kOutputType, QStringLiteral("error")},
                              {QStringLiteral("ename"), content.value(QLatin1String("ename")).toString()},
                              {QStringLiteral("evalue"), content.value(QLatin1String("evalue")).toString()},
                              {QStringLiteral("traceback"), content.value(QLatin1String("traceback")).toArray()}};
        m_outputs.append(m_error);
        return changed(hadClear ? -1 : int(m_outputs.size()) - 1);
    }
    return false;
}

QString applyCarriageReturns(const QString &input)
{
    if (!input.contains(QLatin1Char('\r')))
        return input;
    QString text = input;
    text.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    const QStringList lines = text.split(QLatin1Char('\n'));
    QStringList result;
    result.reserve(lines.size());
    for (const QString &line : lines) {
        if (!line.contains(QLatin1Char('\r'))) {
            result.append(line);
            continue;
        }
        const QStringList segments = line.split(QLatin1Char('\r'));
        QString current = segments.first();
        for (int i = 1; i < segments.size(); ++i) {
            const QString &segment = segments.at(i);
            if (segment.isEmpty())
                continue;
            current = segment + current.mid(segment.size());
        }
        if (segments.last().isEmpty())
            current += QLatin1Char('\r'); // the next chunk starts over this line
        result.append(current);
    }
    return result.join(QLatin1Char('\n'));
}

QString stripAnsi(const QString &text)
{
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == QChar(0x1b) && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('[')) {
            i += 2;
            while (i < text.size() && !(text.at(i).unicode() >= 0x40 && text.at(i).unicode() <= 0x7e))
                ++i;
            continue;
        }
        if (c == QChar(0x1b))
            continue;
        out.append(c);
    }
    return out;
}

namespace {

// JupyterLab's terminal palette (normal and bright), readable on light and dark backgrounds.
const char *const kPalette[16] = {"#3e424d", "#e75c58", "#00a250", "#ddb62b", "#208ffb", "#d160c4", "#60c6c8", "#c5c1b4",
                                  "#282c36", "#b22b31", "#007427", "#b27d12", "#0065ca", "#a03196", "#258f8f", "#a1a6b2"};

QString color256(int n)
{
    if (n < 16)
        return QLatin1String(kPalette[qBound(0, n, 15)]);
    if (n < 232) {
        n -= 16;
        static const int levels[6] = {0, 95, 135, 175, 215, 255};
        return QStringLiteral("#%1%2%3")
            .arg(levels[n / 36], 2, 16, QLatin1Char('0'))
            .arg(levels[(n / 6) % 6], 2, 16, QLatin1Char('0'))
            .arg(levels[n % 6], 2, 16, QLatin1Char('0'));
    }
    const int grey = 8 + (qMin(n, 255) - 232) * 10;
    return QStringLiteral("#%1%1%1").arg(grey, 2, 16, QLatin1Char('0'));
}

} // namespace

QString ansiToHtml(const QString &text)
{
    QString html;
    html.reserve(text.size() + 64);
    QString fg, bg;
    bool bold = false, underline = false;
    bool spanOpen = false;
    auto openSpan = [&] {
        if (spanOpen) {
            html += QLatin1String("</span>");
            spanOpen = false;
        }
        QString style;
        if (!fg.isEmpty())
            style += QStringLiteral("color:%1;").arg(fg);
        if (!bg.isEmpty())
            style += QStringLiteral("background-color:%1;").arg(bg);
        if (bold)
            style += QLatin1String("font-weight:bold;");
        if (underline)
            style += QLatin1String("text-decoration:underline;");
        if (!style.isEmpty()) {
            html += QStringLiteral("<span style=\"%1\">").arg(style);
            spanOpen = true;
        }
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == QChar(0x1b) && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('[')) {
            qsizetype end = i + 2;
            while (end < text.size() && !(text.at(end).unicode() >= 0x40 && text.at(end).unicode() <= 0x7e))
                ++end;
            if (end >= text.size())
                break;
            if (text.at(end) == QLatin1Char('m')) {
                const QStringList codes = text.mid(i + 2, end - i - 2).split(QLatin1Char(';'));
                for (int k = 0; k < codes.size(); ++k) {
                    const int code = codes.at(k).isEmpty() ? 0 : codes.at(k).toInt();
                    if (code == 0) {
                        fg.clear();
                        bg.clear();
                        bold = underline = false;
                    } else if (code == 1) {
                        bold = true;
                    } else if (code == 4) {
                        underline = true;
                    } else if (code == 22) {
                        bold = false;
                    } else if (code == 24) {
                        underline = false;
                    } else if (code >= 30 && code <= 37) {
                        fg = QLatin1String(kPalette[code - 30 + (bold ? 0 : 0)]);
                    } else if (code >= 90 && code <= 97) {
                        fg = QLatin1String(kPalette[code - 90 + 8]);
                    } else if (code >= 40 && code <= 47) {
                        bg = QLatin1String(kPalette[code - 40]);
                    } else if (code >= 100 && code <= 107) {
                        bg = QLatin1String(kPalette[code - 100 + 8]);
                    } else if (code == 39) {
                        fg.clear();
                    } else if (code == 49) {
                        bg.clear();
                    } else if ((code == 38 || code == 48) && k + 1 < codes.size()) {
                        QString colour;
                        if (codes.at(k + 1) == QLatin1String("5") && k + 2 < codes.size()) {
                            colour = color256(codes.at(k + 2).toInt());
                            k += 2;
                        } else if (codes.at(k + 1) == QLatin1String("2") && k + 4 < codes.size()) {
                            colour = QStringLiteral("#%1%2%3")
                                         .arg(qBound(0, codes.at(k + 2).toInt(), 255), 2, 16, QLatin1Char('0'))
                                         .arg(qBound(0, codes.at(k + 3).toInt(), 255), 2, 16, QLatin1Char('0'))
                                         .arg(qBound(0, codes.at(k + 4).toInt(), 255), 2, 16, QLatin1Char('0'));
                            k += 4;
                        }
                        (code == 38 ? fg : bg) = colour;
                    }
                }
                openSpan();
            }
            i = end;
            continue;
        }
        switch (c.unicode()) {
        case '<': html += QLatin1String("&lt;"); break;
        case '>': html += QLatin1String("&gt;"); break;
        case '&': html += QLatin1String("&amp;"); break;
        case '"': html += QLatin1String("&quot;"); break;
        case 0x1b: break;
        default: html += c;
        }
    }
    if (spanOpen)
        html += QLatin1String("</span>");
    return html;
}

} // namespace cairn
