/* bkp: backup and restore from the CLI. See bkp.h. */
#include "bkp.h"

#include <string.h>

#include "store.h"

void bkp_usage(FILE *f)
{
	fputs("  stillroom backup FILE [--force]\n"
	      "  stillroom restore FILE   (with stillroomd stopped)\n", f);
}

/* FILE and --force from argv[1..]; 0, or -1 for a usage error. */
static int bkp_args(int argc, char **argv, const char **file, int *force)
{
	*file = NULL;
	*force = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0 && strcmp(argv[0], "backup") == 0)
			*force = 1;
		else if (argv[i][0] != '-' && *file == NULL && argv[i][0] != '\0')
			*file = argv[i];
		else
			return -1;
	}
	return *file ? 0 : -1;
}

int bkp_main(int argc, char **argv, const char *db_path, FILE *out, FILE *err)
{
	char cause[STORE_CAUSE_MAX];
	const char *file;
	int force, rc;

	if (argc < 1 || (strcmp(argv[0], "backup") != 0 && strcmp(argv[0], "restore") != 0))
		return BKP_NOT_MINE;
	if (bkp_args(argc, argv, &file, &force) < 0) {
		fprintf(err, "stillroom %s: usage:\n", argv[0]);
		bkp_usage(err);
		return 2;
	}
	if (strcmp(argv[0], "backup") == 0)
		rc = store_backup(db_path, file, force, out, cause, sizeof cause);
	else
		rc = store_restore(db_path, file, out, cause, sizeof cause);
	if (rc < 0) {
		fprintf(err, "stillroom: %s: %s\n", argv[0], cause);
		return 1;
	}
	return 0;
}
