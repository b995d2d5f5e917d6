SiteGenSearch.register("tags",[["budget",1,"Y"],["Politics",1,"Y"]]);
