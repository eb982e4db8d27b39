"""Perplexity research for a plugger: contacts, stations, the industry, competitors and opportunities, cited."""
