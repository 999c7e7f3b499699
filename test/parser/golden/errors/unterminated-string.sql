SELECT auction FROM bid WHERE channel = 'Google;
