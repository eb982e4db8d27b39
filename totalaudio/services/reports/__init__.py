"""Reports: the facts a campaign report states, and the documents made from them."""
