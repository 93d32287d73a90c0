// Precompiled for the torch plugin: <torch/torch.h> alone costs about a minute per file.
#pragma once
#include <torch/torch.h>
