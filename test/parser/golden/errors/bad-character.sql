SELECT a FROM t # comment;
