enum _PButlerStore {}
