-- a typo in the first keyword
SELEC auction FROM bid;
