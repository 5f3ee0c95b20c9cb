// Mermaid's browser build (vendor/mermaid/, unchanged), embedded into the adrsite binary so that
// the binary works wherever it is copied. C23's #embed reads the file at compile time in a
// fraction of a second, where a Swift array literal of 2.7 MB would take the compiler minutes.
#include "cmermaid.h"

#pragma clang diagnostic ignored "-Wc23-extensions"

static const unsigned char script[] = {
#embed "../../vendor/mermaid/mermaid.min.js"
};

const unsigned char *adrsite_mermaid_script(void) { return script; }
unsigned long adrsite_mermaid_script_size(void) { return sizeof(script); }
