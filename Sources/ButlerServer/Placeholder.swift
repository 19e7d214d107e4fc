enum _PButlerServer {}
