"""Claude's writing for a plugger: grounded campaign reports, pitches, social posts, contact analysis."""
