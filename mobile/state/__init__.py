"""View-models of the app: every workflow's logic, tested without rendering; views only draw them."""
