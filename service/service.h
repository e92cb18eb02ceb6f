/* SPDX-License-Identifier: BSD-2-Clause */
/* The service layer (service/): `ksymres serve` and `ksymres store`. It
 * sees the public API, the output layer and its own headers only. */
#ifndef KSR_SERVICE_H
#define KSR_SERVICE_H

int ksr_cmd_serve(int argc, char **argv);
int ksr_cmd_store(int argc, char **argv);

#endif
