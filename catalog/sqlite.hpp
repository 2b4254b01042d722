#pragma once
// Until every include names catalog/database.hpp.
#include "catalog/database.hpp"
