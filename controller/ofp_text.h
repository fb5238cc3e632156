// Placeholder: ovs-ofctl flow syntax (being written).
#pragma once
