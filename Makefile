# libsnap.so, the C API of snapdb (include/snap.h), and its installation.
#
#   make lib                         build/libsnap.so
#   make install PREFIX=$HOME/.local libsnap.so, snap.h and snap.pc under PREFIX
#   make uninstall PREFIX=...
#
# Then: cc app.c $(pkg-config --cflags --libs snap)
# (with PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig for a PREFIX pkg-config does not search).

PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
PCDIR   ?= $(LIBDIR)/pkgconfig
GO      ?= go
BUILD   ?= build
VERSION := $(shell sed -n 's/^[[:space:]]*ProducerVersion[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' snapshot/create.go)

.PHONY: lib install install-files uninstall clean

# lib also leaves cgo's generated header, build/libsnap.h: it is not
# installed (include/snap.h is the contract), but ffi's tests compare the
# two to catch a prototype that drifted.
lib:
	$(GO) build -buildmode=c-shared -trimpath -ldflags='-s -w -extldflags=-Wl,-soname,libsnap.so' -o $(BUILD)/libsnap.so ./ffi

install: lib install-files

# install-files installs what is in $(BUILD) without rebuilding it.
install-files:
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) $(DESTDIR)$(PCDIR)
	install -m 0755 $(BUILD)/libsnap.so $(DESTDIR)$(LIBDIR)/libsnap.so
	install -m 0644 include/snap.h $(DESTDIR)$(INCDIR)/snap.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCDIR@|$(INCDIR)|g' \
		-e 's|@VERSION@|$(VERSION)|g' bindings/c/snap.pc.in > $(DESTDIR)$(PCDIR)/snap.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libsnap.so $(DESTDIR)$(INCDIR)/snap.h $(DESTDIR)$(PCDIR)/snap.pc

clean:
	rm -rf $(BUILD)
