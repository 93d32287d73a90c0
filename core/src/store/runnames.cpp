#include "cairn/store/runnames.h"

#include <QRandomGenerator>
#include <QStringList>

namespace cairn {

QString generateRunName()
{
    static const char *adjectives[] = {"amber", "bold", "brave", "bright", "calm", "clever", "crisp", "eager",
                                       "fancy", "gentle", "glad", "golden", "keen", "lively", "lucid", "merry",
                                       "nimble", "polite", "quick", "quiet", "rapid", "silent", "steady", "sunny",
                                       "swift", "tidy", "vivid", "warm", "wise", "witty", "zesty", "noble"};
    static const char *nouns[] = {"otter", "falcon", "heron", "lynx", "maple", "cedar", "comet", "delta",
                                  "ember", "fjord", "glade", "harbor", "island", "lark", "meadow", "nebula",
                                  "orca", "pine", "quartz", "river", "sparrow", "tiger", "tundra", "valley",
                                  "willow", "yak", "zebra", "badger", "cairn", "summit", "beacon", "ridge"};
    auto *rng = QRandomGenerator::global();
    return QStringLiteral("%1-%2-%3")
        .arg(QString::fromLatin1(adjectives[rng->bounded(int(std::size(adjectives)))]),
             QString::fromLatin1(nouns[rng->bounded(int(std::size(nouns)))]))
        .arg(rng->bounded(1000));
}

} // namespace cairn
