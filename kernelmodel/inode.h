/* Write-access bookkeeping per host inode (Linux's i_writecount): a program
 * that runs cannot be opened for writing, and a file open for writing
 * cannot be executed — both ETXTBSY. The model reads executables instead of
 * letting the host exec them, so it keeps this count itself. */
#ifndef KERNELMODEL_INODE_H
#define KERNELMODEL_INODE_H

#include <stdint.h>

/* exec: deny writers while an mm runs the file. 0 or -ETXTBSY (open for writing). */
int inode_deny_write_access(uint64_t dev, uint64_t ino);
void inode_allow_write_access(uint64_t dev, uint64_t ino);
/* open for writing: 0 or -ETXTBSY (being executed). */
int inode_get_write_access(uint64_t dev, uint64_t ino);
void inode_put_write_access(uint64_t dev, uint64_t ino);
/* Writers the guests have open on the inode (the page cache is not used
 * for new mappings meanwhile: the file may change under its identity). */
int inode_writers(uint64_t dev, uint64_t ino);
/* Would inode_get_write_access fail? (checked before a host open that
 * could truncate a running program) */
int inode_write_denied(uint64_t dev, uint64_t ino);

#endif
