#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace cairn::data {

/// Images arranged as one sub-folder per class (the torchvision ImageFolder layout). Only lists
/// files: decoding images needs QtGui, which the algorithm plugins that use images link.
struct ImageFolder
{
    QString root;
    QStringList classes;          ///< sub-folder names, sorted
    QStringList files;            ///< absolute paths, sorted by class then name
    std::vector<int> labels;      ///< index into classes, per file

    static QStringList imageSuffixes();
    /// Throws cairn::Error when the folder is missing or has no class folders with images.
    static ImageFolder scan(const QString &root);
};

} // namespace cairn::data
