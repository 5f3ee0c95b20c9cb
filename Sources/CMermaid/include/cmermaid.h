#ifndef CMERMAID_H
#define CMERMAID_H

/// The bytes of vendor/mermaid/mermaid.min.js.
const unsigned char *adrsite_mermaid_script(void);
unsigned long adrsite_mermaid_script_size(void);

#endif
