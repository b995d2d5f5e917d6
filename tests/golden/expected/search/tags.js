SiteGenSearch.register("tags",["Y","Y"]);
